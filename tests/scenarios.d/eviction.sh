# eviction.sh (sourced by scenarios.sh): every eviction policy runs the Zipf(0.9) example,
# and ARC, S3-FIFO and W-TinyLFU beat FIFO's hit ratio with the 95% intervals apart (five
# replications each). About 8 s of CPU in release.

ev=scenarios/examples/cache-eviction.json
"$bin" sweep "$ev" --vary nodes.cache.eviction=fifo,lru,arc,2q,s3_fifo,sieve,w_tinylfu \
    --metric nodes.cache.hit_ratio --csv "$tmp/evict.csv" --quiet 2>"$tmp/err"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { low[$1] = $col["nodes.cache.hit_ratio.low"]; high[$1] = $col["nodes.cache.hit_ratio.high"]; n++ }
    END { if (n != 7) exit 1
          split("arc s3_fifo w_tinylfu", better, " ")
          for (b in better) if (!(low[better[b]] > high["fifo"])) exit 1 }' "$tmp/evict.csv" && ok ||
    bad "arc, s3_fifo and w_tinylfu should beat fifo on Zipf 0.9: $(cat "$tmp/evict.csv" "$tmp/err")"
