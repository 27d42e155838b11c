// %% a scratch file in a folder nobody trusted yet
console.log('ran');
