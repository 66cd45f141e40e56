#ifndef PROBE_TYPES_H
#define PROBE_TYPES_H

/* Freestanding compiler headers only: there is no libc in the guest. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
