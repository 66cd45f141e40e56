package org.minivmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.minivmm.rootfs.image.BuildOptions;
import org.minivmm.rootfs.image.BuiltImage;
import org.minivmm.rootfs.image.ImageBuilder;
import org.minivmm.rootfs.image.ImageStore;
import org.minivmm.rootfs.image.ProgressListener;
import org.minivmm.vmm.Log;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "image", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Container images as DAX-ready ext4 images in minivmm's image store.",
        subcommands = ImageCommand.Build.class)
final class ImageCommand {

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

        @Override
        public Integer call() {
            ProgressListener progress = new ProgressListener() {
                @Override
                public void step(String message) {
                    Log.info(message);
                }

                @Override
                public void warning(String message) {
                    Log.warn(message);
                }
            };
            try {
                BuiltImage built = ImageBuilder.build(source, store == null ? ImageStore.defaultStore() : new ImageStore(store),
                        BuildOptions.DEFAULT, progress);
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
}
