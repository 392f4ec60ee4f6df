package dev.meshgate.cli;

/** meshctl: the command line of meshgate. */
public final class Meshctl {
    public static void main(String[] args) {
        System.out.println("meshctl");
    }
}
