#!/usr/bin/env python
from tadiao.cli import main

if __name__ == "__main__":
    main()
