/**
 * The proxy's workload identity: its certificate obtained from the control plane's CA with a bootstrap token, rotated
 * at half-life, and held in {@link dev.meshgate.proxy.security.WorkloadCertificateHolder}, whose key and trust
 * managers the TLS contexts of the proxy (the discovery stream today, mTLS between proxies next) are built on.
 */
@NullMarked
package dev.meshgate.proxy.security;

import org.jspecify.annotations.NullMarked;
