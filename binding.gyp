{
  "targets": [
    {
      "target_name": "peerlearn_native",
      "sources": ["native/addon.cc", "native/gemm.cc", "native/gemm_blocked.cc", "native/gemm_x86.cc", "native/gemm_neon.cc", "native/elementwise.cc", "native/gemm_bf16.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-ffp-contract=off"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2"] } }
    }
  ]
}
