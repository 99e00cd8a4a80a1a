package lore.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MovieLens ml-latest-small read from its directory (not bundled: its license asks that any copy
 * carry it; a user points {@code --data-dir} at a copy): {@code movies.csv} ({@code
 * movieId,title,genres}) and {@code ratings.csv} ({@code userId,movieId,rating,timestamp}). Item
 * text = {@code "<title>. Genres: <genre>, <genre>"}.
 */
public final class MovieLens {
  private MovieLens() {}

  /** The movies as texts to embed, ids = movieId. */
  public static ItemTexts movies(Path dir) throws IOException {
    Path f = dir.resolve("movies.csv");
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    try (Csv csv = new Csv(Files.newBufferedReader(f, StandardCharsets.UTF_8), ',', f.toString())) {
      Map<String, Integer> h = csv.header();
      int ci = Csv.column(h, f.toString(), "movieId", "movieId");
      int ct = Csv.column(h, f.toString(), "title", "title");
      int cg = Csv.column(h, f.toString(), "genres", "genres");
      for (List<String> r = csv.next(); r != null; r = csv.next()) {
        ids.add(csv.field(r, ci));
        String genres = csv.field(r, cg);
        texts.add(
            csv.field(r, ct)
                + (genres.equals("(no genres listed)")
                    ? ""
                    : ". Genres: " + genres.replace("|", ", ")));
      }
    }
    return new ItemTexts(ids, texts);
  }

  /** The ratings (0.5 .. 5 stars) over items indexed by {@code itemIndex} (movieId to row). */
  public static Ratings ratings(Path dir, Map<String, Integer> itemIndex) throws IOException {
    return Ratings.read(dir.resolve("ratings.csv"), itemIndex);
  }
}
