/**
 * The {@code lore} command line ({@link lore.cli.LoreCli}): the synthetic Table 1 demo, dataset
 * generation, training, few-shot fitting and scoring on files. Not a library API.
 */
package lore.cli;
