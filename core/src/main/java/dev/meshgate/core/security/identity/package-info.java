/** Workload identities of the mesh: SPIFFE IDs, the one form every certificate, token and policy uses. */
@NullMarked
package dev.meshgate.core.security.identity;

import org.jspecify.annotations.NullMarked;
