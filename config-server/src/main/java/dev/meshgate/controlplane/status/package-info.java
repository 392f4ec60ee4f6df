/** What the control plane shows about itself: proxy status, diagnostics and views, as JSON under /debug. */
@NullMarked
package dev.meshgate.controlplane.status;

import org.jspecify.annotations.NullMarked;
