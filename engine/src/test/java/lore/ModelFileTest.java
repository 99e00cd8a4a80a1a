package lore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
  @TempDir Path dir;

  static RewardModel trained() {
    Planted pl = new Planted(9, 20, 3, 50, 12, 0.5);
    PreferenceData data = pl.pairs("user é\"\\,", 0, 12, 10, 0, 50);
    return new Trainer(TrainConfig.defaults().withRank(3).withSteps(20)).train(data);
  }

  @Test
  void roundTripKeepsEverything() throws IOException {
    RewardModel m = trained();
    Path f = dir.resolve("sub/model.lore");
    m.save(f);
    RewardModel back = RewardModel.load(f);
    assertEquals(m.dim(), back.dim());
    assertEquals(m.rank(), back.rank());
    assertEquals(m.logitScale(), back.logitScale());
    assertArrayEquals(m.basis(), back.basis());
    assertEquals(m.userCount(), back.userCount());
    for (int u = 0; u < m.userCount(); u++) {
      assertEquals(m.userId(u), back.userId(u));
      assertEquals(m.weights(m.userId(u)), back.weights(back.userId(u)));
    }
    assertEquals(m.metadata(), back.metadata());
    assertEquals("ALTERNATING", back.metadata().get("optimizer"));
    try (Stream<Path> left = Files.list(f.getParent())) {
      assertEquals(1, left.count(), "temporary file left behind");
    }
  }

  @Test
  void everyTruncationIsRejected() throws IOException {
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    for (int len : new int[] {0, 5, 8, 20, 43, all.length / 2, all.length - 9, all.length - 1}) {
      Path t = dir.resolve("t" + len);
      Files.write(t, Arrays.copyOf(all, len));
      IOException e = assertThrows(IOException.class, () -> RewardModel.load(t), "length " + len);
      assertTrue(e.getMessage().contains(t.toString()), e.getMessage());
    }
  }

  @Test
  void corruptionIsDetected() throws IOException {
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    for (int at : new int[] {40, 100, all.length / 2, all.length - 20}) {
      byte[] bad = all.clone();
      bad[at] ^= 0x10;
      Path t = dir.resolve("c" + at);
      Files.write(t, bad);
      IOException e = assertThrows(IOException.class, () -> RewardModel.load(t));
      assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("corrupted"), e.getMessage());
    }
  }

  @Test
  void foreignAndFutureFilesAreRejected() throws IOException {
    Path foreign = dir.resolve("foreign.bin");
    Files.writeString(foreign, "PK\u0003\u0004 this is a zip file, not a model");
    IOException e = assertThrows(IOException.class, () -> RewardModel.load(foreign));
    assertTrue(e.getMessage().contains("not a lore model"), e.getMessage());
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    all[8] = 9; // version field
    Path future = dir.resolve("future.lore");
    Files.write(future, all);
    IOException v = assertThrows(IOException.class, () -> RewardModel.load(future));
    assertTrue(v.getMessage().contains("version 9"), v.getMessage());
  }

  @Test
  void failedSaveLeavesPreviousModelIntact() throws IOException {
    Path f = dir.resolve("m.lore");
    RewardModel m = trained();
    m.save(f);
    byte[] before = Files.readAllBytes(f);
    Path blocker = dir.resolve("file-not-dir");
    Files.writeString(blocker, "x");
    assertThrows(IOException.class, () -> m.save(blocker.resolve("m.lore")));
    assertArrayEquals(before, Files.readAllBytes(f));
  }
}
