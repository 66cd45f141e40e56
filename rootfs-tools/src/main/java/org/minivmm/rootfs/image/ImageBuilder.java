package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a container image into a DAX-ready ext4 image in an {@link ImageStore}. The source may be:
 * <ul>
 * <li>an appc ACI: a tar (plain, gzip, bzip2 or xz) of {@code manifest} and {@code rootfs/};
 * <li>an OCI image layout directory, or a tar of one (what {@code docker save} writes since Docker
 *     25), or the older {@code docker save} tar with only manifest.json;
 * <li>an OCI runtime bundle: a directory with config.json and the root it names;
 * <li>a plain root filesystem: a directory, or a tar of one.
 * </ul>
 * Archives are unpacked first, into a private work directory in the store, then recognized by what
 * they hold; a directory is recognized the same way. A tar is never trusted: see {@link StagingTree}
 * and {@link TarReader} for what is refused, and {@link ExtractionLimits} for the bounds.
 */
public final class ImageBuilder {
    private static final Set<String> ACI_TOP_LEVEL = Set.of("manifest", "rootfs");

    private ImageBuilder() {
    }

    /** What the source is, once unpacked. */
    private enum Layout {
        OCI_LAYOUT, DOCKER_ARCHIVE, RUNTIME_BUNDLE, ACI, ROOT_FILESYSTEM
    }

    /**
     * The directory mke2fs copies, what it cannot carry, and the launch configuration found.
     */
    private record Prepared(Path root, List<ImageFixup> fixups, Optional<AppConfig> app) {
    }

    /**
     * Builds the image for {@code source}, or finds the one an earlier build of the same input left.
     * Nothing is put in the store unless the whole build succeeds.
     */
    public static BuiltImage build(Path source, ImageStore store, BuildOptions options, ProgressListener progress)
            throws IOException {
        Path input;
        try {
            input = source.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ImageBuildException(source + ": no such file or directory");
        }
        boolean directory = Files.isDirectory(input);
        if (!directory && !Files.isRegularFile(input)) {
            throw new ImageBuildException(source + " is neither a directory nor a file");
        }
        progress.step("reading " + source);
        String key = ImageStore.inputKey(directory ? directoryDigest(input) : InputDigest.ofFile(input),
                options.extraBytes());
        Optional<ImageStore.Stored> stored = store.lookup(key);
        if (stored.isPresent()) {
            progress.alreadyBuilt(stored.get().image());
            return built(stored.get(), options, true);
        }
        Path work = store.newWorkDirectory();
        try {
            Prepared prepared = directory ? interpret(input, layoutOf(input, true), List.of(), work, options, progress)
                    : fromArchive(input, work, options, progress);
            Path image = work.resolve("image.ext4");
            Ext4Image.create(prepared.root(), prepared.fixups(), key, options.extraBytes(), image, work, progress);
            ImageStore.Stored result = store.put(image, key, prepared.app());
            progress.step("stored " + result.digest() + " (" + ProgressListener.size(Files.size(result.image())) + ") as "
                    + result.image());
            return built(result, options, false);
        } finally {
            try {
                StagingTree.deleteTree(work);
            } catch (IOException e) {
                progress.warning("could not remove the work directory " + work + ": " + e.getMessage());
            }
        }
    }

    private static BuiltImage built(ImageStore.Stored stored, BuildOptions options, boolean reused) {
        return new BuiltImage(stored.image(), stored.digest(), stored.app().orElse(options.defaultApp()), reused);
    }

    /**
     * An OCI layout is named by index.json, which names every blob by digest, so hashing the blobs
     * again is not needed; other directories are hashed whole (for a bundle: config.json and its root).
     */
    private static String directoryDigest(Path directory) throws IOException {
        switch (layoutOf(directory, true)) {
            case OCI_LAYOUT:
                return InputDigest.ofParts(List.of(directory.resolve("oci-layout"), directory.resolve("index.json")),
                        List.of());
            case RUNTIME_BUNDLE:
                return InputDigest.ofParts(List.of(directory.resolve("config.json")),
                        List.of(bundleRoot(directory, bundleConfig(directory))));
            default:
                return InputDigest.ofParts(List.of(), List.of(directory));
        }
    }

    private static Prepared fromArchive(Path file, Path work, BuildOptions options, ProgressListener progress)
            throws IOException {
        Path unpacked = Files.createDirectory(work.resolve("unpacked"));
        StagingTree tree = new StagingTree(unpacked);
        String name = file.getFileName().toString();
        progress.step("extracting " + name + " (" + ProgressListener.size(Files.size(file)) + ")");
        try (InputStream in = Files.newInputStream(file)) {
            new TarExtractor(tree, new ExtractionBudget(options.limits()), progress)
                    .extract(Compression.decompress(in, name), name);
        }
        List<ImageFixup> fixups = tree.finish();
        return interpret(unpacked, layoutOf(unpacked, false), fixups, work, options, progress);
    }

    /**
     * Recognizes a directory by the files at its top. A runtime bundle only counts as a directory
     * given by the user: in an archive, config.json is just a file of a root filesystem.
     */
    private static Layout layoutOf(Path directory, boolean bundleAllowed) throws IOException {
        if (isRegularFile(directory.resolve("oci-layout"))) {
            return Layout.OCI_LAYOUT;
        }
        if (isRegularFile(directory.resolve("manifest.json"))) {
            return Layout.DOCKER_ARCHIVE;
        }
        if (bundleAllowed && isRegularFile(directory.resolve("config.json"))) {
            return Layout.RUNTIME_BUNDLE;
        }
        if (isRegularFile(directory.resolve("manifest"))
                && Files.isDirectory(directory.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS)) {
            return Layout.ACI;
        }
        return Layout.ROOT_FILESYSTEM;
    }

    private static Prepared interpret(Path directory, Layout layout, List<ImageFixup> fixups, Path work,
            BuildOptions options, ProgressListener progress) throws IOException {
        switch (layout) {
            case OCI_LAYOUT:
                return applyLayers(OciImage.fromLayout(directory), work, options, progress);
            case DOCKER_ARCHIVE:
                return applyLayers(OciImage.fromDockerArchive(directory), work, options, progress);
            case RUNTIME_BUNDLE:
                RuntimeBundleConfig config = bundleConfig(directory);
                return new Prepared(bundleRoot(directory, config), fixups, config.app());
            case ACI:
                return aci(directory, fixups, progress);
            default:
                return new Prepared(directory, fixups, Optional.empty());
        }
    }

    private static Prepared applyLayers(OciImage image, Path work, BuildOptions options, ProgressListener progress)
            throws IOException {
        StagingTree tree = new StagingTree(Files.createDirectory(work.resolve("rootfs")));
        image.applyLayers(new TarExtractor(tree, new ExtractionBudget(options.limits()), progress), progress);
        return new Prepared(tree.root(), tree.finish(), Optional.of(image.app()));
    }

    private static Prepared aci(Path directory, List<ImageFixup> fixups, ProgressListener progress) throws IOException {
        List<String> others = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (!ACI_TOP_LEVEL.contains(entry.getFileName().toString())) {
                    others.add(entry.getFileName().toString());
                }
            }
        }
        if (!others.isEmpty()) {
            others.sort(null);
            throw new ImageBuildException("not a valid ACI: besides manifest and rootfs it has " + String.join(", ", others));
        }
        AciManifest manifest = AciManifest.parse(LayoutFiles.readDocument(directory, "manifest"));
        manifest.warnings().forEach(progress::warning);
        // Archive paths were recorded from the archive's top; the image starts at rootfs/.
        List<ImageFixup> inRootfs = new ArrayList<>();
        for (ImageFixup fixup : fixups) {
            List<String> components = fixup.path().components();
            if (!components.isEmpty() && components.get(0).equals("rootfs")) {
                ArchivePath inImage = new ArchivePath(components.subList(1, components.size()));
                inRootfs.add(new ImageFixup(inImage, fixup.mtime(), fixup.xattrs()));
            }
        }
        return new Prepared(directory.resolve("rootfs"), inRootfs, manifest.app());
    }

    private static RuntimeBundleConfig bundleConfig(Path bundle) throws IOException {
        return RuntimeBundleConfig.parse(LayoutFiles.readDocument(bundle, "config.json"));
    }

    /** root.path, relative to the bundle unless absolute (runtime-spec config.md). */
    private static Path bundleRoot(Path bundle, RuntimeBundleConfig config) throws IOException {
        Path root = bundle.resolve(config.rootPath());
        if (!Files.isDirectory(root)) {
            throw new ImageBuildException("the bundle's root.path " + config.rootPath() + " is not a directory");
        }
        return root.toRealPath();
    }

    private static boolean isRegularFile(Path path) {
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
    }
}
