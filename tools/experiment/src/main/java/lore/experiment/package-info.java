/**
 * The paper's evaluation protocol (section 5) as a library: seeded seen/unseen splits with disjoint
 * train and test prompts or items, per-user accuracy (Eq. 15), the few-shot curve (Figure 2), rank
 * selection on held-out training data, parameter counts, a resumable JSON-lines results file, a
 * markdown table and PNG plots. Entry point: {@link lore.experiment.Experiment}. Methods plug in
 * through {@link lore.experiment.PreferenceMethod}.
 */
package lore.experiment;
