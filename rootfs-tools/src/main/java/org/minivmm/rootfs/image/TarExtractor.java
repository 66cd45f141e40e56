package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.TreeSet;

/**
 * Unpacks tar archives into a {@link StagingTree}: plainly (a root filesystem, an ACI, an image
 * archive), or as OCI layers, where whiteout entries (image-spec layer.md) delete what earlier
 * layers made and are not themselves created.
 */
final class TarExtractor {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_WHITEOUT = ".wh..wh..opq";

    private final StagingTree tree;
    private final ExtractionBudget budget;
    private final ProgressListener progress;

    TarExtractor(StagingTree tree, ExtractionBudget budget, ProgressListener progress) {
        this.tree = tree;
        this.budget = budget;
        this.progress = progress;
    }

    /**
     * Extracts every member of an uncompressed tar as it is, the later of two members at one path
     * winning; {@code what} names the archive in messages.
     */
    void extract(InputStream tar, String what) throws IOException {
        apply(tar, what, false);
    }

    /** Applies an uncompressed OCI layer over what earlier layers made. */
    void applyLayer(InputStream tar, String what) throws IOException {
        apply(tar, what, true);
    }

    private void apply(InputStream tar, String what, boolean isLayer) throws IOException {
        // Whiteouts hide only what lower layers made, so remember what this one made (as "a/b" strings).
        TreeSet<String> thisLayer = new TreeSet<>();
        TarReader reader;
        try {
            reader = new TarReader(tar, budget.maxPathBytes());
            TarItem item;
            while ((item = reader.next()) != null) {
                budget.countEntry();
                ArchivePath path = item.path();
                if (isLayer && !path.isRoot() && path.fileName().startsWith(WHITEOUT_PREFIX)) {
                    whiteout(path, thisLayer);
                    continue;
                }
                tree.add(item, reader.content(), budget);
                thisLayer.add(path.toString());
            }
            drain(tar);
        } catch (ImageBuildException e) {
            throw new ImageBuildException(what + ": " + e.getMessage(), e);
        }
        if (reader.strippedAbsoluteNames()) {
            progress.warning(what + ": removed the leading / from absolute member names, as tar does");
        }
    }

    /** Reads what follows the end marker (block padding), so a digest over the stream covers all of it. */
    private void drain(InputStream tar) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try {
            int count;
            while ((count = tar.read(buffer)) > 0) {
                budget.addBytes(count);
            }
        } catch (ImageBuildException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageBuildException("the archive is truncated or corrupt after its end marker (" + e.getMessage()
                    + ")", e);
        }
    }

    private void whiteout(ArchivePath marker, TreeSet<String> thisLayer) throws IOException {
        ArchivePath directory = marker.parent();
        if (marker.fileName().equals(OPAQUE_WHITEOUT)) {
            // An opaque directory: all that lower layers put in it is hidden, whatever the entry order.
            BasicFileAttributes attributes = tree.lookup(directory);
            if (attributes != null && attributes.isDirectory()) {
                for (String name : tree.children(directory)) {
                    hideLowerLayers(directory.child(name), thisLayer);
                }
            }
            return;
        }
        String hidden = marker.fileName().substring(WHITEOUT_PREFIX.length());
        if (hidden.isEmpty()) {
            throw new ImageBuildException("refusing " + marker + ": a whiteout that names nothing");
        }
        ArchivePath target = directory.child(hidden);
        if (!thisLayer.contains(target.toString())) {
            hideLowerLayers(target, thisLayer);
        }
    }

    /** Removes what lower layers put at or below {@code path}, keeping what this layer added. */
    private void hideLowerLayers(ArchivePath path, TreeSet<String> thisLayer) throws IOException {
        String key = path.toString();
        boolean keepsBelow = !thisLayer.subSet(key + "/", key + "0").isEmpty();
        if (!thisLayer.contains(key) && !keepsBelow) {
            tree.remove(path);
            return;
        }
        BasicFileAttributes attributes = tree.lookup(path);
        if (attributes != null && attributes.isDirectory()) {
            for (String name : tree.children(path)) {
                hideLowerLayers(path.child(name), thisLayer);
            }
        }
    }
}
