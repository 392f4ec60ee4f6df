/**
 * The mesh's public-key plumbing, in one place for the control plane, the proxies and the CLI: PEM reading and
 * writing, CSRs, issuing and verifying workload certificates with a SPIFFE URI SAN. Everything cryptographic is
 * BouncyCastle's or the JDK's; this package only says which certificate the mesh wants. Pure: no files, no clock
 * (the caller passes the time).
 */
@NullMarked
package dev.meshgate.core.security.pki;

import org.jspecify.annotations.NullMarked;
