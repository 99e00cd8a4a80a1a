/**
 * LoRe: low-rank personalized reward modeling (Bose et al. 2025). The public API: {@link
 * lore.PreferenceData} (items and comparisons), {@link lore.Trainer} with {@link lore.TrainConfig}
 * (paper Eq. 10), {@link lore.RewardModel} (basis, seen users, scoring, model files), {@link
 * lore.FewShotFitter} with {@link lore.FitConfig} (new users, Eq. 11) and {@link
 * lore.PersonalReward} (one user's reward for serving).
 */
package lore;
