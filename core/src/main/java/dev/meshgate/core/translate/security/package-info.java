/** Which AuthorizationPolicies and RequestAuthentications apply to a proxy, as its view's {@code auth}. */
@NullMarked
package dev.meshgate.core.translate.security;

import org.jspecify.annotations.NullMarked;
