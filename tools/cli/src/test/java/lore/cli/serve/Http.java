package lore.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON client of a local server, for the tests. */
record Http(HttpClient client, String base) {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A status and a parsed JSON body. */
  record Reply(int status, JsonNode body) {
    String field() {
      return body.path("field").asText(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  static Http local(int port) {
    return new Http(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build(),
        "http://127.0.0.1:" + port);
  }

  Reply post(String path, String json) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  Reply post(String path, Object body) throws IOException, InterruptedException {
    return post(path, JSON.writeValueAsString(body));
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build());
  }

  private Reply send(HttpRequest r) throws IOException, InterruptedException {
    HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
    return new Reply(resp.statusCode(), JSON.readTree(resp.body()));
  }

  static float[] floats(JsonNode a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = a.get(i).floatValue();
    }
    return f;
  }
}
