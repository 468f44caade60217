module stele/akd/internal/blake3x/asm

go 1.26.0
