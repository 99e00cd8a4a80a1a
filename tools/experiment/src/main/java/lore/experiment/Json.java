package lore.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the results file: objects, arrays, strings, numbers, booleans and null.
 * Non-finite doubles are written as null and read back as NaN.
 */
final class Json {
  private Json() {}

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /** Parses one JSON value; maps are {@link LinkedHashMap}, numbers {@link Double}. */
  static Object parse(String s) {
    Parser p = new Parser(s);
    Object v = p.value();
    p.skipSpace();
    if (p.at != s.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return (Map<String, Object>) o;
  }

  static double num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      if (!m.containsKey(key)) {
        throw new IllegalArgumentException("missing field " + key);
      }
      return Double.NaN;
    }
    if (!(v instanceof Double d)) {
      throw new IllegalArgumentException("field " + key + " is not a number");
    }
    return d;
  }

  static String str(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof String s)) {
      throw new IllegalArgumentException("field " + key + " is not a string");
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof List<?> l)) {
      throw new IllegalArgumentException("field " + key + " is not an array");
    }
    return (List<Object>) l;
  }

  private static final class Parser {
    final String s;
    int at;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("malformed JSON at column " + (at + 1) + ": " + what);
    }

    void skipSpace() {
      while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
        at++;
      }
    }

    Object value() {
      skipSpace();
      if (at >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(at);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek('}')) {
          return m;
        }
        do {
          skipSpace();
          String k = string();
          skipSpace();
          expect(':');
          m.put(k, value());
          skipSpace();
        } while (peek(','));
        expect('}');
        return m;
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        at++;
        skipSpace();
        if (peek(']')) {
          return l;
        }
        do {
          l.add(value());
          skipSpace();
        } while (peek(','));
        expect(']');
        return l;
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("null", at)) {
        at += 4;
        return null;
      }
      if (s.startsWith("true", at)) {
        at += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", at)) {
        at += 5;
        return Boolean.FALSE;
      }
      int start = at;
      while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
        at++;
      }
      try {
        return Double.parseDouble(s.substring(start, at));
      } catch (NumberFormatException e) {
        at = start;
        throw error("unexpected character '" + c + "'");
      }
    }

    boolean peek(char c) {
      if (at < s.length() && s.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (at < s.length() && s.charAt(at) != '"') {
        char c = s.charAt(at++);
        if (c == '\\') {
          if (at >= s.length()) {
            throw error("unfinished escape");
          }
          char e = s.charAt(at++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (at + 4 > s.length()) {
                throw error("short \\u escape");
              }
              b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
              at += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
      expect('"');
      return b.toString();
    }
  }
}
