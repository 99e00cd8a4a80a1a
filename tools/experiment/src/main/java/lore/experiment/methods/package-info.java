/**
 * The methods of the paper's comparison as {@link lore.experiment.PreferenceMethod}s, all on the
 * same frozen item embeddings: {@link lore.experiment.methods.RefMethod} (a fixed reward), {@link
 * lore.experiment.methods.BtMethod} (rank-1 LoRe), {@link lore.experiment.methods.LoReMethod}
 * (Example 1, the engine), {@link lore.experiment.methods.LoReMlpMethod} (Example 2), {@link
 * lore.experiment.methods.PalAMethod} and {@link lore.experiment.methods.PalBMethod} (PAL's two
 * models, on their shared base {@link lore.experiment.methods.PalMethod}) and {@link
 * lore.experiment.methods.VplMethod}. Each class's Javadoc lists where a faithful reimplementation
 * had to deviate from the released code, and why. Single-threaded and deterministic for a seed and
 * a kernel implementation.
 */
package lore.experiment.methods;
