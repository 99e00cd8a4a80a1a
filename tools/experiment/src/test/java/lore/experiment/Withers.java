package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reflection over configuration records and their withers ({@code withName(value)}, one per
 * component): the tests that every field reaches its use change one field at a time through these.
 */
public final class Withers {
  private Withers() {}

  /** The wither of component {@code c}: {@code withName(Type)} returning the record's type. */
  public static Method wither(RecordComponent c) {
    Class<?> type = c.getDeclaringRecord();
    String name = "with" + Character.toUpperCase(c.getName().charAt(0)) + c.getName().substring(1);
    try {
      Method m = type.getMethod(name, c.getType());
      assertEquals(type, m.getReturnType(), name + " returns another type");
      assertTrue(!Modifier.isStatic(m.getModifiers()), name + " is static");
      return m;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(
          type.getName() + " has no wither " + name + "(" + c.getType().getSimpleName() + ")", e);
    }
  }

  /** {@code config} with component {@code c} set to {@code value} through its wither. */
  public static <R extends Record> R with(R config, RecordComponent c, Object value) {
    try {
      @SuppressWarnings("unchecked")
      R out = (R) wither(c).invoke(config, value);
      return out;
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    } catch (InvocationTargetException e) {
      throw new AssertionError(
          c.getName() + " = " + value + " was refused: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** The value of component {@code c} of {@code config}. */
  public static Object get(Record config, RecordComponent c) {
    try {
      return c.getAccessor().invoke(config);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A valid value other than {@code current} for a component of a common type: a number one larger
   * (a double halved, or 0.5 for 0), the other boolean, the next enum constant, a longer string, a
   * child path, a list of integers with one more, larger element. Components of other types take
   * their value from {@code others}, by name.
   */
  public static Object changed(RecordComponent c, Object current, Map<String, Object> others) {
    if (others.containsKey(c.getName())) {
      return others.get(c.getName());
    }
    Class<?> t = c.getType();
    if (t == int.class) {
      return (int) current + 1;
    }
    if (t == long.class) {
      return (long) current + 1;
    }
    if (t == double.class) {
      double v = (double) current;
      return v == 0 ? 0.5 : v / 2;
    }
    if (t == boolean.class) {
      return !(boolean) current;
    }
    if (t.isEnum()) {
      Object[] values = t.getEnumConstants();
      return values[(((Enum<?>) current).ordinal() + 1) % values.length];
    }
    if (t == String.class) {
      return current + " changed";
    }
    if (t == Path.class) {
      return ((Path) current).resolve("changed");
    }
    if (t == List.class
        && c.getGenericType() instanceof ParameterizedType p
        && p.getActualTypeArguments()[0] == Integer.class) {
      @SuppressWarnings("unchecked")
      List<Integer> v = new ArrayList<>((List<Integer>) current);
      v.add(v.isEmpty() ? 1 : Collections.max(v) + 1);
      return List.copyOf(v);
    }
    throw new AssertionError("no changed value for " + c + ": give one by name");
  }

  /**
   * Asserts that each component's wither sets exactly that component (to a value other than the
   * current one) and keeps every other, and that the record has no other one-argument {@code
   * with...} method: one way to change each field.
   */
  public static void assertWithersChangeOneFieldEach(Record config, Map<String, Object> others) {
    RecordComponent[] cs = config.getClass().getRecordComponents();
    List<String> withers = new ArrayList<>();
    for (RecordComponent c : cs) {
      Object before = get(config, c);
      Object value = changed(c, before, others);
      assertNotEquals(before, value, c.getName() + ": the test needs another value");
      Record after = with(config, c, value);
      for (RecordComponent o : cs) {
        Object expected = o.equals(c) ? value : get(config, o);
        assertEquals(
            expected,
            get(after, o),
            config.getClass().getName() + "." + wither(c).getName() + " changed " + o.getName());
      }
      withers.add(wither(c).getName());
    }
    for (Method m : config.getClass().getMethods()) {
      if (m.getName().startsWith("with") && !Modifier.isStatic(m.getModifiers())) {
        assertTrue(
            withers.contains(m.getName()) && m.getParameterCount() == 1,
            config.getClass().getName() + "." + m.getName() + " is not the wither of one field");
      }
    }
  }

  /** {@code config} with {@code c} changed as {@link #changed} does. */
  public static <R extends Record> R withChanged(
      R config, RecordComponent c, Map<String, Object> others) {
    return with(config, c, changed(c, get(config, c), others));
  }
}
