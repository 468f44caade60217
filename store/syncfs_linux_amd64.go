package store

// sysSyncfs is syncfs(2)'s number, which package syscall lacks on amd64.
const sysSyncfs = 306
