from journeys.models import Customer


async def test_the_database_starts_empty_and_takes_a_customer(db):
    assert await Customer.all().count() == 0
    await Customer.create(external_id="c-1", phone="+8613800138000")
    assert await Customer.filter(external_id="c-1").exists()


async def test_each_test_gets_an_empty_database(db):
    assert await Customer.all().count() == 0
