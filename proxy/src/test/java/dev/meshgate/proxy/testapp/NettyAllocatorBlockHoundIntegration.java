package dev.meshgate.proxy.testapp;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets BlockHound accept the one lock Netty 4.2's adaptive allocator takes on an event loop: when a magazine group
 * grows ({@code MagazineGroup.tryExpandMagazines}) it frees the magazines it replaces under a {@code StampedLock}
 * write lock ({@code Magazine.free}, {@code MagazineGroup.free}). Netty's own integration (4.2.18) does not list
 * these, so a full suite failed on them depending on timing. The allowance is scoped to those two Netty methods,
 * so a blocking call in meshgate's code is still reported.
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

    private static final String MAGAZINE = "io.netty.buffer.AdaptivePoolingAllocator$Magazine";
    private static final String MAGAZINE_GROUP = "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup";

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(MAGAZINE, "free");
        builder.allowBlockingCallsInside(MAGAZINE_GROUP, "free");
    }
}
