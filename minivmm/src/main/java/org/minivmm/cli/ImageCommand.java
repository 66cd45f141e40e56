package org.minivmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.minivmm.rootfs.image.BuildOptions;
import org.minivmm.rootfs.image.BuiltImage;
import org.minivmm.rootfs.image.ExtractionLimits;
import org.minivmm.rootfs.image.ImageBuilder;
import org.minivmm.rootfs.image.ImageStore;
import org.minivmm.rootfs.image.ProgressListener;
import org.minivmm.rootfs.image.RuntimeImage;
import org.minivmm.vmm.Log;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "image", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Container images as DAX-ready ext4 images in minivmm's image store.",
        subcommands = {ImageCommand.Build.class, ImageCommand.Runtime.class})
final class ImageCommand {
    /** Progress on standard error, where the logs go; standard output keeps only the image's path. */
    static final ProgressListener PROGRESS = new ProgressListener() {
        @Override
        public void step(String message) {
            Log.info(message);
        }

        @Override
        public void warning(String message) {
            Log.warn(message);
        }
    };

    private static ImageStore store(Path directory) {
        return directory == null ? ImageStore.defaultStore() : new ImageStore(directory);
    }

    @Command(name = "build", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Turns SOURCE into an ext4 image with 4096-byte blocks (what DAX needs) and stores it read-only,"
                + " named by its digest; the same SOURCE again is found in the store, not rebuilt.",
                "SOURCE: an appc ACI (tar, gzip, bzip2 or xz), an OCI image layout directory or archive, a docker-save"
                + " archive, an OCI runtime bundle directory, or a plain root filesystem directory or tar.",
                "Prints the stored image's path on standard output; progress goes to standard error. Needs root"
                + " (file owners and device nodes) and e2fsprogs."})
    static final class Build implements Callable<Integer> {
        @Parameters(paramLabel = "SOURCE", description = "The image to convert.")
        Path source;

        @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Also copy the image to OUT.")
        Path output;

        @Option(names = "--store", paramLabel = "DIR", description = "The image store (default: ~/.cache/minivmm/images).")
        Path store;

        @Option(names = "--max-size", paramLabel = "SIZE", converter = SizeConverter.class,
                description = "Refuse a source that unpacks to more file content than this, e.g. 4G (default: 32G).")
        Long maxSize;

        @Option(names = "--max-entries", paramLabel = "N",
                description = "Refuse a source with more archive entries than this (default: 1000000).")
        Long maxEntries;

        @Override
        public Integer call() {
            ExtractionLimits defaults = ExtractionLimits.DEFAULT;
            ExtractionLimits limits = new ExtractionLimits(maxSize != null ? maxSize : defaults.maxTotalBytes(),
                    maxEntries != null ? maxEntries : defaults.maxEntries(), defaults.maxFileBytes(), defaults.maxPathBytes());
            try {
                BuiltImage built = ImageBuilder.build(source, store(store), BuildOptions.DEFAULT.withLimits(limits), PROGRESS);
                if (output != null) {
                    Files.copy(built.image(), output, StandardCopyOption.REPLACE_EXISTING);
                }
                System.out.println(output != null ? output.toAbsolutePath() : built.image());
                return ExitCodes.OK;
            } catch (IOException e) {
                Log.error(e.getMessage());
                return ExitCodes.VMM_FAILURE;
            }
        }
    }

    @Command(name = "runtime", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Builds (or finds) the shared runtime image every container boots from and maps read-only:"
                + " the guest init at " + RuntimeImage.INIT_PATH + " and its mount points. Prints its path."})
    static final class Runtime implements Callable<Integer> {
        @Option(names = "--store", paramLabel = "DIR", description = "The image store (default: ~/.cache/minivmm/images).")
        Path store;

        @Override
        public Integer call() {
            try {
                System.out.println(RuntimeImage.build(store(store), PROGRESS).image());
                return ExitCodes.OK;
            } catch (IOException e) {
                Log.error(e.getMessage());
                return ExitCodes.VMM_FAILURE;
            }
        }
    }
}
