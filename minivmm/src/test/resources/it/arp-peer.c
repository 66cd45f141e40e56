/*
 * The host end of NetIT: waits on interface argv[1] for an ARP request for
 * 192.0.2.1 and answers it as if that address were at 02:70:65:65:72:01, then
 * exits 0; exits 1 after argv[2] seconds without one. Prints "ready" once it
 * listens, and one line about the request and the reply it sent.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const unsigned char peer_mac[6] = { 0x02, 0x70, 0x65, 0x65, 0x72, 0x01 };
static const unsigned char peer_ip[4] = { 192, 0, 2, 1 };

static void print_mac(const char *label, const unsigned char *mac)
{
	printf("%s %02x:%02x:%02x:%02x:%02x:%02x", label, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: arp-peer INTERFACE SECONDS\n");
		return 2;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				       .sll_ifindex = (int)if_nametoindex(argv[1]) };
	if (fd < 0 || address.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		perror("arp-peer: packet socket");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);

	time_t deadline = time(NULL) + atoi(argv[2]);
	unsigned char frame[2048];
	while (time(NULL) < deadline) {
		struct pollfd readable = { .fd = fd, .events = POLLIN };
		if (poll(&readable, 1, 200) <= 0)
			continue;
		ssize_t length = recv(fd, frame, sizeof(frame), 0);
		const unsigned char *arp = frame + 14;
		if (length < 42 || arp[6] != 0 || arp[7] != 1 || memcmp(arp + 24, peer_ip, 4) != 0)
			continue;	/* not "who has 192.0.2.1?" */
		print_mac("request from", frame + 6);
		printf(" to %s length %zd,", frame[0] == 0xff ? "broadcast" : "unicast", length);

		unsigned char reply[60] = { 0 };
		memcpy(reply, frame + 6, 6);
		memcpy(reply + 6, peer_mac, 6);
		memcpy(reply + 12, frame + 12, 2);	/* ARP */
		memcpy(reply + 14, arp, 6);		/* Ethernet, IPv4, 6, 4 */
		reply[21] = 2;				/* reply */
		memcpy(reply + 22, peer_mac, 6);
		memcpy(reply + 28, peer_ip, 4);
		memcpy(reply + 32, arp + 8, 10);	/* the asker's addresses become the target */
		if (send(fd, reply, sizeof(reply), 0) != sizeof(reply)) {
			perror("arp-peer: send");
			return 2;
		}
		print_mac(" reply sent from", peer_mac);
		printf("\n");
		return 0;
	}
	printf("timeout: no ARP request for 192.0.2.1\n");
	return 1;
}
