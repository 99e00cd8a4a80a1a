/**
 * Data for the LoRe engine: a synthetic PersonalLLM-style benchmark ({@link
 * lore.datasets.SyntheticPersonalLlm} with {@link lore.datasets.SyntheticConfig}, producing {@link
 * lore.datasets.SyntheticData}) and small file formats that map to {@link lore.PreferenceData}:
 * {@link lore.datasets.Npy} (2-D float32 {@code .npy} item tables), {@link lore.datasets.PairsCsv}
 * (comparisons by item id or row) and {@link lore.datasets.DatasetFiles} (a dataset as a directory
 * of both).
 *
 * <p>Real data: {@link lore.datasets.ItemTable} (item embeddings from {@code .npy} float32/float16
 * or {@code .safetensors} F32/F16/BF16, memory-mapped, with an ids side file), {@link
 * lore.datasets.Ratings} and {@link lore.datasets.RatingsToPairs} (within-user pairs from rating
 * gaps), the bundled {@link lore.datasets.Jester5k} and {@link lore.datasets.Zappos5}, {@link
 * lore.datasets.MovieLens} from a directory, and {@link lore.datasets.TextEmbedder} with {@link
 * lore.datasets.TextEmbeddings} (batched, content-hash cache) for items that come as text.
 *
 * <p>Comparisons and the paper's layouts: {@link lore.datasets.Comparisons} (CSV/TSV/JSON lines
 * with item ids or inline texts), {@link lore.datasets.PersonalLlm} (safetensors embeddings plus
 * reward- model scores from CSV or Parquet, simulated Dirichlet users), {@link
 * lore.datasets.RedditTldr} and {@link lore.datasets.Prism}, all ending in {@link
 * lore.datasets.PreferenceSplits} (an item table and named splits, written in the canonical
 * layout).
 *
 * <p>Everything here may block on I/O (the engine never does). Writers replace files atomically.
 * Nothing here creates threads or logs.
 */
package lore.datasets;
