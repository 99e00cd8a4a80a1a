/**
 * File plumbing shared by the engine's model files and the datasets module's writers. Not API: may
 * change without notice.
 */
package lore.internal.io;
