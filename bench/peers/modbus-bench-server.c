/*
 * Modbus TCP bench server on libmodbus (Debian libmodbus-dev) for the end-to-end benchmark
 * (bench/SmartCity.Edge.Bench -- e2e): DEVICES separate Modbus TCP devices in one process, each with its own
 * listener on 127.0.0.1 (its own port, like separate devices on a site network) and its own table of REGISTERS
 * holding registers.
 *
 *   modbus-bench-server DEVICES REGISTERS
 *
 * Every register changes at every poll: a read of holding registers (function 03) adds 1 to each register it
 * covers just before answering, so a client that reads each register once per poll sees every value move by one.
 * Register r of device d starts at (d * 7 + r) so devices and registers differ from the first poll on.
 *
 * stdout: "READY ports=P1,P2,..." once every listener is up (P1 is device 0). On SIGUSR1 it prints
 * "STATS requests=N registers=M errors=E connections=C": requests answered, registers read by them, requests
 * refused with an exception, connections accepted, since start. Runs until killed.
 *
 * One thread, one poll() over every listener and connection; a request is answered when its socket is readable
 * (modbus_receive takes one ADU; poll() reports the socket again while more are queued). Connections are not
 * limited per device: each client (the gateway, Node-RED) connects to each device once.
 */
#include <errno.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct device {
    modbus_t *ctx;
    modbus_mapping_t *map;
    int listener;
    int port;
};

struct conn {
    int fd;
    int device; /* index into devices */
};

static volatile sig_atomic_t stats_wanted;
static unsigned long long requests, registers_read, errors, connections;

static void on_usr1(int sig)
{
    (void)sig;
    stats_wanted = 1;
}

static void print_stats(void)
{
    printf("STATS requests=%llu registers=%llu errors=%llu connections=%llu\n", requests, registers_read, errors, connections);
    fflush(stdout);
}

/* Answers one request on a connection of device d; returns -1 when the connection is gone. */
static int serve_one(struct device *d, int fd)
{
    uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
    int rc, h, fc, addr, count, a;
    modbus_set_socket(d->ctx, fd);
    rc = modbus_receive(d->ctx, q);
    if (rc <= 0)
        return rc < 0 ? -1 : 0;
    h = modbus_get_header_length(d->ctx);
    fc = q[h];
    addr = (q[h + 1] << 8) | q[h + 2];
    count = (q[h + 3] << 8) | q[h + 4];
    if (fc == MODBUS_FC_READ_HOLDING_REGISTERS && count >= 1 && count <= MODBUS_MAX_READ_REGISTERS && addr + count <= d->map->nb_registers) {
        for (a = addr; a < addr + count; a++)
            d->map->tab_registers[a]++;
        requests++;
        registers_read += (unsigned long long)count;
    } else {
        errors++; /* modbus_reply answers the exception (illegal address/function) itself */
    }
    return modbus_reply(d->ctx, q, rc, d->map) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    int ndevices, nregisters, i, r;
    struct device *devices;
    struct pollfd *fds;
    struct conn *conns; /* parallel to fds[ndevices..] */
    int nconns = 0, capacity;
    struct sigaction sa;

    if (argc != 3 || (ndevices = atoi(argv[1])) < 1 || (nregisters = atoi(argv[2])) < 1 || nregisters > 65536) {
        fprintf(stderr, "usage: %s DEVICES REGISTERS\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1; /* no SA_RESTART: poll() returns EINTR and the loop prints the stats */
    sigaction(SIGUSR1, &sa, NULL);

    devices = calloc((size_t)ndevices, sizeof(*devices));
    capacity = ndevices * 4 + 16;
    fds = calloc((size_t)(ndevices + capacity), sizeof(*fds));
    conns = calloc((size_t)capacity, sizeof(*conns));
    if (devices == NULL || fds == NULL || conns == NULL)
        return 1;

    printf("READY ports=");
    for (i = 0; i < ndevices; i++) {
        struct sockaddr_in addr;
        socklen_t len = sizeof(addr);
        struct device *d = &devices[i];
        d->ctx = modbus_new_tcp("127.0.0.1", 0);
        d->map = modbus_mapping_new(0, 0, nregisters, 0);
        if (d->ctx == NULL || d->map == NULL)
            return 1;
        for (r = 0; r < nregisters; r++)
            d->map->tab_registers[r] = (uint16_t)(i * 7 + r);
        d->listener = modbus_tcp_listen(d->ctx, 16);
        if (d->listener < 0 || getsockname(d->listener, (struct sockaddr *)&addr, &len) < 0) {
            fprintf(stderr, "device %d: listen on 127.0.0.1 failed: %s\n", i, modbus_strerror(errno));
            return 1;
        }
        d->port = ntohs(addr.sin_port);
        fds[i].fd = d->listener;
        fds[i].events = POLLIN;
        printf(i == 0 ? "%d" : ",%d", d->port);
    }
    printf("\n");
    fflush(stdout);

    for (;;) {
        int n = poll(fds, (nfds_t)(ndevices + nconns), -1);
        if (stats_wanted) {
            stats_wanted = 0;
            print_stats();
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        for (i = 0; i < ndevices; i++) {
            if (fds[i].revents & POLLIN) {
                int c = accept(devices[i].listener, NULL, NULL);
                int one = 1;
                if (c < 0)
                    continue;
                if (nconns == capacity) {
                    close(c); /* more connections than any bench client makes: refuse rather than grow */
                    continue;
                }
                /* As modbus_tcp_accept() does: answers go out at once, not after a delayed ACK. */
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                fds[ndevices + nconns].fd = c;
                fds[ndevices + nconns].events = POLLIN;
                fds[ndevices + nconns].revents = 0;
                conns[nconns].fd = c;
                conns[nconns].device = i;
                nconns++;
                connections++;
            }
        }
        for (i = 0; i < nconns; i++) {
            struct pollfd *p = &fds[ndevices + i];
            if (p->revents == 0)
                continue;
            if ((p->revents & (POLLIN | POLLHUP | POLLERR)) && serve_one(&devices[conns[i].device], p->fd) < 0) {
                /* Gone: close it and move the last connection into its slot (its revents are checked next). */
                close(p->fd);
                nconns--;
                fds[ndevices + i] = fds[ndevices + nconns];
                conns[i] = conns[nconns];
                i--;
            }
        }
    }
}
