/** Per-request timelines as Flight Recorder events (issue #13: what the slow 1 % of requests wait for). */
@NullMarked
package dev.meshgate.proxy.timeline;

import org.jspecify.annotations.NullMarked;
