package lore.experiment;

/**
 * One candidate of a method's own cross-validated selection: its cross-validation accuracy over the
 * seen users' held-out training pairs.
 *
 * @param rank candidate rank B (1: the BT limit)
 * @param strength candidate prior strength lambda ({@link Double#POSITIVE_INFINITY}: the BT limit)
 * @param accuracy mean over users of the held-out accuracy, in [0, 1]
 */
public record CvScore(int rank, double strength, double accuracy) {}
