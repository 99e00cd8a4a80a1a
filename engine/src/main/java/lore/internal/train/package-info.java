/** Internal; not API; may change without notice. Optimizers and the few-shot simplex solver. */
package lore.internal.train;
