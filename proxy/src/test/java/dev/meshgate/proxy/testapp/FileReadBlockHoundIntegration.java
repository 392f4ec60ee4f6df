package dev.meshgate.proxy.testapp;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Makes BlockHound report a file read with {@code Files.readAllBytes} (which {@code Files.readString} uses) on an event
 * loop. BlockHound's own list has {@code FileInputStream} and {@code RandomAccessFile} but not NIO's file channels,
 * so without this a certificate read on a request's thread went unnoticed.
 */
public final class FileReadBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.markAsBlocking("java.nio.file.Files", "readAllBytes", "(Ljava/nio/file/Path;)[B");
    }
}
