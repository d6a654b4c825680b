module hasim

go 1.26
