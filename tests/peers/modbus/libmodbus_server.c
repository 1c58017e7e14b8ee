/*
 * Modbus test peer on libmodbus (Debian libmodbus-dev), for SmartCity.Edge's Modbus tests and benchmark.
 * Serves the same fixture layout as pymodbus_server.py (see layout.md) with values encoded here, independently.
 *
 *   libmodbus_server tcp [PORT] [--quiet]     PORT 0 or absent = a free port; several clients via select()
 *   libmodbus_server rtu DEVICE [--quiet]     RTU on a serial device (e.g. a socat pty), unit 1
 *
 * stdout: "READY port=N" once listening, then "REQ fc=F addr=A count=C ok=0|1" per request unless --quiet.
 * Requests pipelined on one connection are answered in order: modbus_receive() takes one ADU from the socket
 * and select() reports the socket readable again while more are queued.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOLE 505
#define SIZE 1000

static int quiet;

/* Big-endian bytes of a value -> registers in the requested order. */
static void put(uint16_t *regs, const uint8_t *be, int len, const char *order)
{
    uint8_t out[8];
    int i;
    for (i = 0; i < len; i++) {
        if (strcmp(order, "ABCD") == 0)
            out[i] = be[i];
        else if (strcmp(order, "DCBA") == 0)
            out[i] = be[len - 1 - i];
        else if (strcmp(order, "BADC") == 0)
            out[i] = be[i ^ 1];
        else /* CDAB: word order reversed, bytes in each word kept */
            out[i] = be[(len - 2 - (i & ~1)) + (i & 1)];
    }
    for (i = 0; i < len / 2; i++)
        regs[i] = (uint16_t)((out[2 * i] << 8) | out[2 * i + 1]);
}

static void be_u64(uint64_t v, uint8_t *be, int len)
{
    int i;
    for (i = len - 1; i >= 0; i--) {
        be[i] = (uint8_t)(v & 0xFF);
        v >>= 8;
    }
}

static void fill(modbus_mapping_t *m)
{
    static const char *orders[] = {"ABCD", "CDAB", "BADC", "DCBA"};
    uint8_t be[8];
    int k, a;
    union { float f; uint32_t u; } f32;
    union { double d; uint64_t u; } f64;

    m->tab_registers[0] = (uint16_t)(int16_t)-12345;
    m->tab_registers[1] = 54321;
    m->tab_registers[2] = 0x0008;
    for (a = 0; a < 5; a++)
        m->tab_registers[10 + a] = (uint16_t)((((uint8_t *)"SENSOR-42\0")[2 * a] << 8) | ((uint8_t *)"SENSOR-42\0")[2 * a + 1]);
    for (k = 0; k < 4; k++) {
        uint16_t *base = m->tab_registers + 100 + 40 * k;
        be_u64((uint32_t)(int32_t)-123456789, be, 4);
        put(base + 0, be, 4, orders[k]);
        be_u64(3456789012u, be, 4);
        put(base + 2, be, 4, orders[k]);
        f32.f = -1234.5f;
        be_u64(f32.u, be, 4);
        put(base + 4, be, 4, orders[k]);
        be_u64((uint64_t)(int64_t)-1234567890123456789LL, be, 8);
        put(base + 6, be, 8, orders[k]);
        be_u64(12345678901234567890ULL, be, 8);
        put(base + 10, be, 8, orders[k]);
        f64.d = 3.14159265358979;
        be_u64(f64.u, be, 8);
        put(base + 14, be, 8, orders[k]);
    }
    for (a = 500; a < 510; a++)
        m->tab_registers[a] = (uint16_t)(a * 10);
    m->tab_input_registers[0] = 4321;
    f32.f = 21.5f;
    be_u64(f32.u, be, 4);
    put(m->tab_input_registers + 2, be, 4, "ABCD");
    for (a = 0; a < SIZE; a++) {
        m->tab_bits[a] = (a % 3 == 0);
        m->tab_input_bits[a] = (a % 2 == 1);
    }
}

/* Answers one request; returns -1 when the connection is gone. */
static int serve_one(modbus_t *ctx, modbus_mapping_t *m)
{
    uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
    int rc = modbus_receive(ctx, q);
    int h, fc, addr, count, ok;
    if (rc == 0)
        return 0; /* not for us (RTU address filter) */
    if (rc < 0)
        return -1;
    h = modbus_get_header_length(ctx);
    fc = q[h];
    addr = (q[h + 1] << 8) | q[h + 2];
    count = (fc == 5 || fc == 6) ? 1 : ((q[h + 3] << 8) | q[h + 4]);
    ok = !((fc == 3 || fc == 6 || fc == 16) && addr <= HOLE && HOLE < addr + count);
    if (!quiet)
        printf("REQ fc=%d addr=%d count=%d ok=%d\n", fc, addr, count, ok), fflush(stdout);
    if (!ok)
        return modbus_reply_exception(ctx, q, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS) < 0 ? -1 : 0;
    return modbus_reply(ctx, q, rc, m) < 0 ? -1 : 0;
}

static int run_tcp(int port, modbus_mapping_t *m)
{
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    fd_set all;
    int listener, maxfd, fd;
    if (ctx == NULL)
        return 1;
    listener = modbus_tcp_listen(ctx, 16);
    if (listener < 0 || getsockname(listener, (struct sockaddr *)&sa, &len) < 0) {
        fprintf(stderr, "listen on 127.0.0.1:%d failed: %s\n", port, modbus_strerror(errno));
        return 1;
    }
    printf("READY port=%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    FD_ZERO(&all);
    FD_SET(listener, &all);
    maxfd = listener;
    for (;;) {
        fd_set ready = all;
        if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (fd = 0; fd <= maxfd; fd++) {
            if (!FD_ISSET(fd, &ready))
                continue;
            if (fd == listener) {
                int c = accept(listener, NULL, NULL);
                int one = 1;
                if (c >= 0) {
                    /* As modbus_tcp_accept() does: without it, pipelined replies wait for delayed ACKs (Nagle). */
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    FD_SET(c, &all);
                    if (c > maxfd)
                        maxfd = c;
                }
                continue;
            }
            modbus_set_socket(ctx, fd);
            if (serve_one(ctx, m) < 0) {
                close(fd);
                FD_CLR(fd, &all);
            }
        }
    }
}

static int run_rtu(const char *device, modbus_mapping_t *m)
{
    modbus_t *ctx = modbus_new_rtu(device, 19200, 'N', 8, 1);
    if (ctx == NULL || modbus_set_slave(ctx, 1) < 0 || modbus_connect(ctx) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", device, modbus_strerror(errno));
        return 1;
    }
    printf("READY port=0\n");
    fflush(stdout);
    for (;;) {
        if (serve_one(ctx, m) < 0 && errno != EMBBADCRC && errno != ETIMEDOUT)
            modbus_flush(ctx);
    }
}

int main(int argc, char **argv)
{
    modbus_mapping_t *m;
    const char *mode, *target = NULL;
    int i;
    signal(SIGPIPE, SIG_IGN);
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (target == NULL && i > 1)
            target = argv[i];
    if (argc < 2) {
        fprintf(stderr, "usage: %s tcp [PORT] | rtu DEVICE [--quiet]\n", argv[0]);
        return 2;
    }
    mode = argv[1];
    m = modbus_mapping_new(SIZE, SIZE, SIZE, SIZE);
    if (m == NULL)
        return 1;
    fill(m);
    if (strcmp(mode, "tcp") == 0)
        return run_tcp(target ? atoi(target) : 0, m);
    if (strcmp(mode, "rtu") == 0 && target)
        return run_rtu(target, m);
    fprintf(stderr, "usage: %s tcp [PORT] | rtu DEVICE [--quiet]\n", argv[0]);
    return 2;
}
