package lore;

import java.nio.file.Path;

/**
 * Saves one model to {@code args[0]} over and over until killed: the victim of {@link
 * ModelFileTest#killedSavesLeaveAtMostOneTemporaryFile}. Prints one line after the first save.
 */
public final class SaveForever {
  private SaveForever() {}

  public static void main(String[] args) throws Exception {
    int dim = 1 << 19; // 4 x 512K floats: 8 MB, so a save takes long enough to be killed in
    RewardModel m = RewardModel.fromBasis(new float[4 * dim], 4, dim, 1.0);
    Path target = Path.of(args[0]);
    m.save(target);
    System.out.println("saved");
    System.out.flush();
    while (true) {
      m.save(target);
    }
  }
}
