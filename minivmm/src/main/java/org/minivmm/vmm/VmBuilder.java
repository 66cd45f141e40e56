package org.minivmm.vmm;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.minivmm.boot.BootParams;
import org.minivmm.boot.CpuidFixups;
import org.minivmm.boot.CpuidFixups.CpuidEntry;
import org.minivmm.boot.E820Entry;
import org.minivmm.boot.ElfKernel;
import org.minivmm.boot.GuestBlob;
import org.minivmm.boot.KernelCommandLine;
import org.minivmm.boot.KernelFormatException;
import org.minivmm.boot.LongModeEntry;
import org.minivmm.boot.MemoryLayout;
import org.minivmm.boot.MpTable;
import org.minivmm.boot.PageTables;
import org.minivmm.bus.Bus;
import org.minivmm.dax.ImageRuleException;
import org.minivmm.dax.PmemImage;
import org.minivmm.dax.PmemPlacement;
import org.minivmm.dax.VirtioPmem;
import org.minivmm.devices.BytePort;
import org.minivmm.devices.I8042;
import org.minivmm.devices.Serial8250;
import org.minivmm.host.Tap;
import org.minivmm.kvm.Kvm;
import org.minivmm.kvm.KvmVcpu;
import org.minivmm.kvm.KvmVm;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.block.VirtioBlock;
import org.minivmm.virtio.console.VirtioConsole;
import org.minivmm.virtio.net.VirtioNet;
import org.minivmm.virtio.rng.VirtioRng;

/** Wires a VM from a {@link VmConfig}: KVM, RAM, the kernel mapped in place, boot structures, devices, vCPUs. */
public final class VmBuilder {
    private VmBuilder() {
    }

    public static Vm build(VmConfig config) throws KernelFormatException, ImageRuleException, IOException {
        MemoryLayout layout = MemoryLayout.forRam(config.ramBytes());
        if (config.cpus() < 1 || config.cpus() > MpTable.MAX_CPUS) {
            throw new IllegalArgumentException("--cpus must be between 1 and " + MpTable.MAX_CPUS + ", not " + config.cpus());
        }
        ElfKernel kernel = ElfKernel.open(config.kernel());
        kernel.checkFits(layout);
        List<PmemImage> images = new ArrayList<>();
        for (VmConfig.Pmem pmem : config.pmems()) {
            images.add(PmemImage.check(pmem.file(), pmem.readOnly(), pmem.virtio(), Log::warn));
        }
        List<PmemPlacement.Region> regions = PmemPlacement.place(layout, images.stream().map(PmemImage::size).toList());
        KernelCommandLine cmdline = new KernelCommandLine(config.cmdline());

        Kvm kvm = Kvm.open();
        List<AutoCloseable> opened = new ArrayList<>(List.of(kvm));
        try {
            KvmVm kvmVm = kvm.createVm();
            opened.add(kvmVm);
            BootTimeline.mark(BootTimeline.Phase.VM_CREATED);
            kvmVm.createPlatform();
            GuestRam ram = GuestRam.allocate(layout, kvmVm);
            opened.add(ram);
            ram.mapKernel(kernel);
            BootTimeline.mark(BootTimeline.Phase.KERNEL_MAPPED);
            List<E820Entry> e820 = new ArrayList<>(layout.e820());
            List<PmemMapping> pmems = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                PmemMapping mapping = PmemMapping.map(images.get(i), regions.get(i), kvmVm, layout.ramRanges().size() + i);
                opened.add(mapping);
                pmems.add(mapping);
                if (!images.get(i).virtio()) {
                    e820.add(regions.get(i).e820());
                }
            }

            List<KvmVcpu> vcpus = createVcpus(kvm, kvmVm, config.cpus(), kernel.physicalEntry(), opened);
            Vm vm = new Vm(kvm, kvmVm, ram, vcpus);
            pmems.forEach(vm::addPmem);
            Bus pio = new Bus("port I/O");
            Bus mmio = new Bus("MMIO");
            Serial8250 serial = new Serial8250(config.serialOutput(), high -> kvmVm.setIrqLine(Serial8250.COM1_IRQ, high));
            pio.register(Serial8250.COM1_BASE, Serial8250.REGISTERS, "serial ttyS0", serial);
            pio.register(I8042.BASE, I8042.SIZE, "i8042", new I8042(() -> vm.stop(StopReason.guestReset("the guest reset the machine (i8042)"))));
            pio.register(BytePort.EXIT, BytePort.SIZE, "exit port", new BytePort(status -> vm.stop(StopReason.guestExit(status))));
            if (config.initEvents() != null) {
                pio.register(BytePort.INIT_EVENTS, BytePort.SIZE, "init event port", new BytePort(config.initEvents()));
            }
            List<VirtioConsole> consoles = config.virtioConsoles().stream().map(VirtioConsole::new).toList();
            List<GuestMemory.Region> deviceMemory = new ArrayList<>(ram.memory().regions());
            pmems.forEach(pmem -> deviceMemory.addAll(pmem.views()));
            List<VirtioAttachment> attachments = attachVirtioDevices(config, consoles, images, regions, vm, kvmVm,
                    GuestMemory.of(deviceMemory), mmio, cmdline, opened);
            for (int i = 0; i < consoles.size(); i++) {
                vm.addConsole(consoles.get(i), attachments.get(i));
            }
            writeBootStructures(ram.memory(), e820, cmdline, config.cpus());
            for (KvmVcpu vcpu : vcpus) {
                vm.addRunner(new VcpuRunner(vcpu, pio, mmio, vm::stop));
            }
            if (config.forwardInput() && !consoles.isEmpty()) {
                forwardStandardInput((bytes, length) -> vm.sendToConsole(0, bytes, length));
            } else if (config.forwardInput()) {
                forwardStandardInput((bytes, length) -> {
                    for (int i = 0; i < length; i++) {
                        serial.receive(bytes[i]);
                    }
                });
            }
            return vm;
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * The consoles first (so they are hvc0, hvc1... and the first devices), then disks in the order given,
     * virtio-pmem regions, network interfaces, and the entropy device; each appends its virtio_mmio.device= entry.
     */
    private static List<VirtioAttachment> attachVirtioDevices(VmConfig config, List<VirtioConsole> consoles, List<PmemImage> images,
            List<PmemPlacement.Region> regions, Vm vm, KvmVm kvmVm, GuestMemory memory, Bus mmio, KernelCommandLine cmdline,
            List<AutoCloseable> opened) throws IOException {
        List<String> names = new ArrayList<>();
        List<VirtioDevice> devices = new ArrayList<>();
        for (VirtioConsole console : consoles) {
            devices.add(console);
            names.add("virtio-console hvc" + (devices.size() - 1));
        }
        for (VmConfig.Disk disk : config.disks()) {
            VirtioBlock block = VirtioBlock.open(disk.file(), disk.readOnly());
            opened.add(block);
            devices.add(block);
            names.add("virtio-blk " + disk.file().getFileName());
        }
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).virtio()) {
                devices.add(new VirtioPmem(regions.get(i).guestAddress(), regions.get(i).size()));
                names.add("virtio-pmem " + images.get(i).file().getFileName());
            }
        }
        Map<VirtioDevice, List<VirtioAttachment.HostInput>> hostInputs = new HashMap<>();
        for (VmConfig.Net net : config.nets()) {
            Tap tap = Tap.open(net.tapName(), Log::warn);
            VirtioNet device = new VirtioNet(tap, net.mac()); // closes the TAP when it is closed
            opened.add(device);
            devices.add(device);
            names.add("virtio-net " + net.tapName());
            hostInputs.put(device, List.of(new VirtioAttachment.HostInput(tap.fd(), device::wantsFrames, VirtioNet.RECEIVE_QUEUE)));
        }
        if (config.rng()) {
            devices.add(new VirtioRng(VmBuilder::openUrandom));
            names.add("virtio-rng");
        }
        List<VirtioAttachment> attachments = new ArrayList<>();
        for (int slot = 0; slot < devices.size(); slot++) {
            VirtioAttachment attachment = VirtioAttachment.attach(slot, names.get(slot), devices.get(slot),
                    hostInputs.getOrDefault(devices.get(slot), List.of()), kvmVm, memory, mmio, cmdline, vm::stop);
            opened.remove(devices.get(slot));
            opened.add(attachment);
            vm.addDevice(attachment);
            attachments.add(attachment);
        }
        return attachments;
    }

    private static InputStream openUrandom() {
        try {
            return new FileInputStream("/dev/urandom");
        } catch (IOException e) {
            throw new UncheckedIOException("opening /dev/urandom for virtio-rng", e);
        }
    }

    private static void writeBootStructures(GuestMemory memory, List<E820Entry> e820, KernelCommandLine cmdline, int cpus) {
        List<GuestBlob> blobs = new ArrayList<>(PageTables.identityMapFirst4GiB());
        blobs.add(LongModeEntry.gdt());
        blobs.add(MpTable.build(cpus));
        byte[] cmdlineBytes = cmdline.toBytes();
        blobs.add(new GuestBlob(MemoryLayout.CMDLINE_ADDR, cmdlineBytes));
        blobs.add(BootParams.zeroPage(e820, MemoryLayout.CMDLINE_ADDR, cmdlineBytes.length - 1));
        for (GuestBlob blob : blobs) {
            memory.write(blob.address(), blob.bytes());
        }
    }

    /** Each vCPU joins {@code opened} as soon as it exists, so a failure on a later one closes it too. */
    private static List<KvmVcpu> createVcpus(Kvm kvm, KvmVm kvmVm, int count, long entry, List<AutoCloseable> opened) {
        List<CpuidEntry> supported = kvm.supportedCpuid();
        List<KvmVcpu> vcpus = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            KvmVcpu vcpu = kvmVm.createVcpu(index);
            vcpus.add(vcpu);
            opened.add(vcpu);
            vcpu.setCpuid(CpuidFixups.forVcpu(supported, index, count));
            vcpu.wireLocalInterrupts();
            if (index == 0) {
                vcpu.enter(LongModeEntry.cpuState(entry)); // the others wait for the guest's INIT/SIPI
            }
        }
        return vcpus;
    }

    /** Where standard input goes: the UART's or the virtio console's receive side. */
    private interface ConsoleInput {
        void receive(byte[] bytes, int length) throws InterruptedException;
    }

    /**
     * A daemon thread, because a read of standard input cannot be interrupted; it ends with the process.
     * It reads at most 256 bytes at a time, less than either console buffers, so a full buffer only
     * waits for the guest to take input, never for this thread.
     */
    private static void forwardStandardInput(ConsoleInput console) {
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[256];
            try {
                InputStream in = System.in;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    console.receive(buffer, n);
                }
            } catch (IOException | InterruptedException e) {
                // Input ended: the guest just sees no more bytes.
            }
        }, "console-input");
        reader.setDaemon(true);
        reader.start();
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception suppressed) {
                // Already failing: the first error is the one to report.
            }
        }
    }
}
