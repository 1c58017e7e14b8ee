// The bridge between libFuzzer and a .NET fuzzing target that calls SharpFuzz's Fuzzer.LibFuzzer.Run.
//
// Built by tests/fuzz/run.sh with `clang -fsanitize=fuzzer`: libFuzzer supplies main() and the mutation loop, this
// file supplies LLVMFuzzerInitialize/LLVMFuzzerTestOneInput. It starts the .NET process once and talks to it as
// SharpFuzz expects (its documented libFuzzer mode, the protocol of Metalnem/libfuzzer-dotnet):
//   - a System V shared memory segment: 64 KiB of edge counters that SharpFuzz's instrumentation increments,
//     followed by up to 1 MiB for the input;
//   - environment variables __LIBFUZZER_SHM_ID, __LIBFUZZER_CONTROL_PIPE_ID, __LIBFUZZER_STATUS_PIPE_ID naming the
//     segment and two pipes on file descriptors 198 (control: we write each input's length, 4 bytes) and 199
//     (status: the child answers 4 bytes, 0 = no crash; one status right after start-up);
//   - after each input the counters are copied into a section libFuzzer reads as extra coverage counters.
// Flags: --target_path=PROGRAM (e.g. dotnet) and --target_arg=ARG (e.g. the fuzzing assembly); libFuzzer ignores
// flags that start with "--". The child inherits our environment (SMARTCITY_FUZZ_TARGET picks the target).
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

enum
{
    COUNTERS_SIZE = 1 << 16,
    INPUT_SIZE_MAX = 1 << 20,
    CONTROL_FD = 198,
    STATUS_FD = 199,
};

// Not static: the linker defines __start/__stop___libfuzzer_extra_counters only for a section that survives.
__attribute__((used, section("__libfuzzer_extra_counters"))) uint8_t extra_counters[COUNTERS_SIZE];

static uint8_t *shared;
static int shared_id = -1;
static int control_write = -1;
static int status_read = -1;

static void fail(const char *what)
{
    fprintf(stderr, "libfuzzer-dotnet: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *flag_value(int argc, char **argv, const char *name)
{
    size_t length = strlen(name);
    for (int i = 1; i < argc; i++)
    {
        if (strncmp(argv[i], name, length) == 0 && argv[i][length] == '=' && argv[i][length + 1] != '\0')
        {
            return argv[i] + length + 1;
        }
    }

    return NULL;
}

static void remove_segment(void)
{
    if (shared_id >= 0)
    {
        shmctl(shared_id, IPC_RMID, NULL);
    }
}

// Reads exactly 4 bytes; returns 0 on success, -1 when the child is gone.
static int read_status(int32_t *status)
{
    size_t done = 0;
    while (done < sizeof *status)
    {
        ssize_t n = read(status_read, (char *)status + done, sizeof *status - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }

        if (n <= 0)
        {
            return -1;
        }

        done += (size_t)n;
    }

    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *program = flag_value(*argc, *argv, "--target_path");
    const char *argument = flag_value(*argc, *argv, "--target_arg");
    if (program == NULL)
    {
        fprintf(stderr, "libfuzzer-dotnet: --target_path=PROGRAM is required\n");
        exit(1);
    }

    shared_id = shmget(IPC_PRIVATE, COUNTERS_SIZE + INPUT_SIZE_MAX, IPC_CREAT | IPC_EXCL | 0600);
    if (shared_id < 0)
    {
        fail("shmget");
    }

    atexit(remove_segment);
    shared = shmat(shared_id, NULL, 0);
    if (shared == (void *)-1)
    {
        fail("shmat");
    }

    int control[2];
    int status[2];
    if (pipe(control) != 0 || pipe(status) != 0)
    {
        fail("pipe");
    }

    pid_t child = fork();
    if (child < 0)
    {
        fail("fork");
    }

    if (child == 0)
    {
        if (dup2(control[0], CONTROL_FD) < 0 || dup2(status[1], STATUS_FD) < 0)
        {
            fail("dup2");
        }

        close(control[0]);
        close(control[1]);
        close(status[0]);
        close(status[1]);
        char id[16];
        snprintf(id, sizeof id, "%d", shared_id);
        if (setenv("__LIBFUZZER_SHM_ID", id, 1) != 0 || setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1) != 0 || setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1) != 0)
        {
            fail("setenv");
        }

        if (argument != NULL)
        {
            execlp(program, program, argument, (char *)NULL);
        }
        else
        {
            execlp(program, program, (char *)NULL);
        }

        fail("exec");
    }

    close(control[0]);
    close(status[1]);
    control_write = control[1];
    status_read = status[0];
    int32_t ready;
    if (read_status(&ready) != 0)
    {
        fprintf(stderr, "libfuzzer-dotnet: the .NET target exited before it was ready\n");
        exit(1);
    }

    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_SIZE_MAX)
    {
        return 0; // run.sh keeps -max_len far below this
    }

    memset(shared, 0, COUNTERS_SIZE);
    memcpy(shared + COUNTERS_SIZE, data, size);
    int32_t length = (int32_t)size;
    size_t done = 0;
    while (done < sizeof length)
    {
        ssize_t n = write(control_write, (const char *)&length + done, sizeof length - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }

        if (n <= 0)
        {
            fail("write to the .NET target");
        }

        done += (size_t)n;
    }

    int32_t status;
    if (read_status(&status) != 0)
    {
        fprintf(stderr, "libfuzzer-dotnet: the .NET target died on this input\n");
        __builtin_trap();
    }

    memcpy(extra_counters, shared, COUNTERS_SIZE);
    if (status != 0)
    {
        __builtin_trap(); // an exception escaped the target: libFuzzer saves the input as a crash
    }

    return 0;
}
