/**
 * Internal; not API; may change without notice. The kernel layer: {@link
 * lore.internal.kernel.Kernels}, its scalar twin, its Vector API implementation (the only class
 * that imports {@code jdk.incubator.vector}) and the provider that picks one.
 */
package lore.internal.kernel;
