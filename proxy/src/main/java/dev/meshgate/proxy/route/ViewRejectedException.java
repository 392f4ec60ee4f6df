package dev.meshgate.proxy.route;

/** Placeholder for helper P1's exception (proxy-routing branch); replaced by theirs on merge. */
public class ViewRejectedException extends Exception {

    public ViewRejectedException(String message) {
        super(message);
    }
}
