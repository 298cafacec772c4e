"""Measures whether common third-party clients and handles pickle, and with which words.

Run by a developer, never by sendcheck (the product does not execute code):

    apt-get install -y python3-h5py python3-redis python3-boto3 python3-sqlalchemy python3-pymongo
    /usr/bin/python3 tools/probe/python-third-party.py

Each object is made offline (no server is contacted: redis and pymongo connect lazily, boto3
needs only a region and dummy credentials). The words printed are the ones the hand-written
entries in server/src/python/knowledge.ts quote; the fixtures that use these libraries
(`# requires:`) are executed by the oracle test, which fails when the runtime disagrees.
"""
import os
import pickle
import tempfile
from multiprocessing.reduction import ForkingPickler

WORK = tempfile.mkdtemp()


def h5py_file():
    import h5py

    return h5py.File(os.path.join(WORK, "a.h5"), "w")


def h5py_dataset():
    import h5py

    return h5py.File(os.path.join(WORK, "b.h5"), "w").create_dataset("x", data=[1, 2])


def redis_client():
    import redis

    return redis.Redis.from_url("redis://127.0.0.1:1/0")


def redis_pool():
    import redis

    return redis.ConnectionPool(host="127.0.0.1", port=1)


def mongo_client():
    import pymongo

    return pymongo.MongoClient("mongodb://127.0.0.1:1", connect=False)


def boto3_client():
    import boto3

    return boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def boto3_resource():
    import boto3

    return boto3.resource("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def boto3_session():
    import boto3

    return boto3.session.Session(region_name="us-east-1")


def sqlalchemy_engine():
    import sqlalchemy

    return sqlalchemy.create_engine("sqlite://")


def sqlalchemy_sessionmaker():
    import sqlalchemy
    import sqlalchemy.orm

    return sqlalchemy.orm.sessionmaker(bind=sqlalchemy.create_engine("sqlite://"))


def requests_session():
    import requests

    return requests.Session()


RECIPES = [h5py_file, h5py_dataset, redis_client, redis_pool, mongo_client, boto3_client, boto3_resource, boto3_session, sqlalchemy_engine, sqlalchemy_sessionmaker, requests_session]


def verdict(dump, obj):
    try:
        dump(obj)
        return "ok"
    except Exception as e:  # noqa: BLE001 - any failure is the runtime's verdict
        return f"{type(e).__name__}: {e}"


if __name__ == "__main__":
    for recipe in RECIPES:
        try:
            obj = recipe()
        except ImportError as e:
            print(f"{recipe.__name__}: not installed ({e})")
            continue
        kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
        print(f"{recipe.__name__} ({kind})\n  pickle: {verdict(pickle.dumps, obj)}\n  task:   {verdict(ForkingPickler.dumps, obj)}")
