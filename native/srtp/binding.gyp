{
  "targets": [
    {
      "target_name": "confab_srtp",
      "sources": ["srtp_addon.c"],
      "libraries": ["-lsrtp2"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
