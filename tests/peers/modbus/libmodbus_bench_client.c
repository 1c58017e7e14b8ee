/*
 * The comparison client of bench/SmartCity.Edge.Bench/Modbus: libmodbus reading REGS holding registers from
 * address 0, COUNT times in a row on one connection (libmodbus is one request at a time), then printing
 *   RESULT requests=N seconds=S cpu_us=U
 * where cpu_us is this process's user+system CPU time (getrusage) for the timed loop.
 *
 *   libmodbus_bench_client HOST PORT REGS COUNT
 */
#include <modbus/modbus.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    struct timespec t0, t1;
    modbus_t *ctx;
    int n, count, i;
    double c0;
    if (argc != 5) {
        fprintf(stderr, "usage: %s HOST PORT REGS COUNT\n", argv[0]);
        return 2;
    }
    n = atoi(argv[3]);
    count = atoi(argv[4]);
    ctx = modbus_new_tcp(argv[1], atoi(argv[2]));
    if (ctx == NULL || n < 1 || n > MODBUS_MAX_READ_REGISTERS || modbus_connect(ctx) < 0) {
        fprintf(stderr, "connect failed\n");
        return 1;
    }
    modbus_set_slave(ctx, 1);
    for (i = 0; i < 2000; i++) /* warm-up, as many as the .NET side does */
        modbus_read_registers(ctx, 0, n, regs);
    c0 = cpu_us();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < count; i++) {
        if (modbus_read_registers(ctx, 0, n, regs) != n) {
            fprintf(stderr, "read failed: %s\n", modbus_strerror(errno));
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("RESULT requests=%d seconds=%.6f cpu_us=%.0f\n", count,
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, cpu_us() - c0);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
