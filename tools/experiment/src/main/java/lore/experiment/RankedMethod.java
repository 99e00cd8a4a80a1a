package lore.experiment;

/**
 * A family of methods indexed by a rank (LoRe's number of basis rewards B): the experiment picks
 * the rank on held-out training data of the seen users, then evaluates the family at that rank.
 */
public interface RankedMethod {

  /** Name in tables and plots, e.g. {@code "LoRe"}. */
  String name();

  /** The method at rank {@code rank}. */
  PreferenceMethod withRank(int rank);
}
