package dev.meshgate.controlplane;

/** {@code meshgate.control-plane.config-dir} is missing, or is not a readable directory. */
public class ConfigDirectoryException extends RuntimeException {

    public ConfigDirectoryException(String message) {
        super(message);
    }
}
