# Makefile: %NAME% with the installed Toro SDK (make install in Toro's
# tree; PKG_CONFIG_PATH=PREFIX/lib/pkgconfig if PREFIX is not searched).
#	make		build/%NAME% (the simulator) and build/%NAME%.elf
#	make run	run it in the simulator
#	make qemu	boot build/%NAME%.elf under QEMU
NAME = %NAME%
SRCS = $(wildcard *.c)
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -Wall
SIM_CC = $(shell $(PKG_CONFIG) --variable=cc toro-sim)
NATIVE_CC = $(shell $(PKG_CONFIG) --variable=cc toro-native)
SDK = $(shell $(PKG_CONFIG) --variable=sdkdir toro-native)

all: build/$(NAME) build/$(NAME).elf

build/$(NAME): $(SRCS)
	@mkdir -p build
	$(SIM_CC) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags toro-sim) \
	    -o $@ $(SRCS) $(shell $(PKG_CONFIG) --libs toro-sim)

build/$(NAME).elf: $(SRCS)
	@mkdir -p build
	$(NATIVE_CC) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags toro-native) \
	    -o $@ $(SRCS) $(shell $(PKG_CONFIG) --libs toro-native)

run: build/$(NAME)
	./build/$(NAME)

qemu: build/$(NAME).elf
	sh $(SDK)/qemu.sh --net none build/$(NAME).elf

clean:
	rm -rf build

.PHONY: all run qemu clean
