/**
 * The {@code lore} command line ({@link lore.tools.LoreCli}): the synthetic Table 1 demo, dataset
 * generation, training, few-shot fitting and scoring on files. Not a library API.
 */
package lore.tools;
