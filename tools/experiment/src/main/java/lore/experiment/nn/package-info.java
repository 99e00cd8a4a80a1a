/**
 * Internal; not API; may change without notice. A small neural-network layer for the paper's
 * Example 2 (an MLP reward basis) and the PAL and VPL baselines: dense layers with PyTorch's
 * default initialization, activations, dropout, residual connections, single-head self-attention
 * with mean pooling, backpropagation for all of them, and Adam / AdamW with parameter groups.
 *
 * <p>Conventions: activations are row-major {@code float[]} of {@code rows x dim}; a layer keeps
 * what its backward pass needs from the last forward pass, so one forward is followed by at most
 * one backward (batch everything that shares parameters into one forward call). Matrix products go
 * through the engine's {@link lore.internal.kernel.Kernels} ({@code project} for {@code X W^T},
 * {@code accumulateGradient} for {@code G^T X}, {@code axpy} for {@code G W}). Randomness comes
 * only from the caller's {@link java.util.SplittableRandom}; no threads; deterministic for a seed
 * and a kernel implementation. Not thread-safe.
 */
package lore.experiment.nn;
