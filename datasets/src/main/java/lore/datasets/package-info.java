/**
 * Data for the LoRe engine: a synthetic PersonalLLM-style benchmark ({@link
 * lore.datasets.SyntheticPersonalLlm} with {@link lore.datasets.SyntheticConfig}, producing {@link
 * lore.datasets.SyntheticData}) and small file formats that map to {@link lore.PreferenceData}:
 * {@link lore.datasets.Npy} (2-D float32 {@code .npy} item tables), {@link lore.datasets.PairsCsv}
 * ({@code user,chosen,rejected} comparisons) and {@link lore.datasets.DatasetFiles} (a dataset as a
 * directory of both).
 *
 * <p>Everything here may block on I/O (the engine never does). Writers replace files atomically.
 * Nothing here creates threads or logs.
 */
package lore.datasets;
