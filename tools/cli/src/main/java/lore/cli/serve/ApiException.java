package lore.cli.serve;

/**
 * A request the service refuses: an HTTP status, the request field at fault (null when none is),
 * and a message for the client.
 */
final class ApiException extends RuntimeException {
  private final int status;
  private final String field;

  ApiException(int status, String field, String message) {
    super(message, null, false, false); // an answer, not a bug: no stack trace
    this.status = status;
    this.field = field;
  }

  static ApiException bad(String field, String message) {
    return new ApiException(400, field, message);
  }

  int status() {
    return status;
  }

  String field() {
    return field;
  }
}
