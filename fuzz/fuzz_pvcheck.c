/* Fuzz target: the independent certificate checker, verify/pvcheck.c
 * (parser and checks of the certificate format, verify/README.md). It is
 * compiled into this harness with -DPVCHECK_LIBRARY, which turns its main
 * into pvcheck_main. The input is the certificate; the network is fixed
 * (tests/nets/dead.pvnet: two ReLU layers, so the layer recursion and the
 * first-order forward pass run), and the seeds in fuzz/corpus/pvcheck are
 * certificates for it (from `polyverify cell ... --certificate`), so the
 * fuzzer starts past the fingerprint check. pvcheck reads both from files:
 * the harness writes them to temporary files, removed after each input. */
#include "fuzz_common.h"

#include <unistd.h>

int pvcheck_main(int argc, char **argv);

static const char net_text[] =
    "pvnet 1\n"
    "input 2\n"
    "layer relu 2\n"
    "1 0\n"
    "0 1\n"
    "bias 0 0\n"
    "layer relu 1\n"
    "1 1\n"
    "bias 0\n";

/* Writes data to a new temporary file named from templ (which mkstemp
 * fills in); 0 on failure. No extension: pvcheck's network loader then
 * recognises .pvnet by its content, as it would any file. */
static int write_temp(char *templ, const void *data, size_t size)
{
    int fd = mkstemp(templ);
    if (fd < 0)
        return 0;
    int ok = size == 0 || write(fd, data, size) == (ssize_t)size;
    return close(fd) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = getenv("TMPDIR");
    char net_path[4096], cert_path[4096];
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    snprintf(net_path, sizeof net_path, "%s/pvfuzz-net-XXXXXX", dir);
    snprintf(cert_path, sizeof cert_path, "%s/pvfuzz-cert-XXXXXX", dir);
    if (!write_temp(net_path, net_text, sizeof net_text - 1) ||
        !write_temp(cert_path, data, size)) {
        perror("fuzz_pvcheck: temporary file");
        abort();
    }
    char *argv[] = { "pvcheck", net_path, cert_path, "--quiet", NULL };
    int status = pvcheck_main(4, argv);
    unlink(net_path);
    unlink(cert_path);
    if (status < 0 || status > 2)
        abort();   /* pvcheck's exit statuses are 0, 1 and 2 */
    return 0;
}
