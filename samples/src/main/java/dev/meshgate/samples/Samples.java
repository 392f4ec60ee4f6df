package dev.meshgate.samples;

/** Entry point of the tutorial apps. */
public final class Samples {
    public static void main(String[] args) {
        System.out.println("samples");
    }
}
